// Command humansize prints sizes as docker's command line prints them (go-units' HumanSize and
// HumanSizeWithPrecision): each line of standard input is "DIGITS BYTES"; the size is divided by
// 1000 until below it (up to YB) and printed with Go's %.*g.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

var units = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Fields(in.Text())
		digits, err1 := strconv.Atoi(fields[0])
		bytes, err2 := strconv.ParseInt(fields[1], 10, 64)
		if len(fields) != 2 || err1 != nil || err2 != nil {
			fmt.Fprintln(os.Stderr, "want DIGITS BYTES:", in.Text())
			os.Exit(2)
		}
		size := float64(bytes)
		unit := 0
		for size >= 1000 && unit < len(units)-1 {
			size /= 1000
			unit++
		}
		fmt.Fprintf(out, "%.*g%s\n", digits, size, units[unit])
	}
}
