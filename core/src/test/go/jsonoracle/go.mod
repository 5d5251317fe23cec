module jsonoracle

go 1.19
