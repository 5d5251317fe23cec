module localtime

go 1.19
