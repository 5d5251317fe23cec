module humansize

go 1.19
