module engineimage

go 1.19
