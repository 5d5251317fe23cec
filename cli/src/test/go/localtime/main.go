// Command localtime prints times as docker's command line prints an image's CreatedAt:
// time.Unix(sec, 0).String(). Each line of standard input is "ZONE SEC"; ZONE "-" is Go's local
// time (from TZ, as the process was started), any other the zone time.LoadLocation gives for it
// ("error" when there is none).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	zones := map[string]*time.Location{"-": time.Local}
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) != 2 {
			fmt.Fprintln(os.Stderr, "want ZONE SEC:", in.Text())
			os.Exit(2)
		}
		sec, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		loc, ok := zones[fields[0]]
		if !ok {
			if loc, err = time.LoadLocation(fields[0]); err != nil {
				loc = nil
			}
			zones[fields[0]] = loc
		}
		if loc == nil {
			fmt.Fprintln(out, "error")
			continue
		}
		fmt.Fprintln(out, time.Unix(sec, 0).In(loc).String())
	}
}
