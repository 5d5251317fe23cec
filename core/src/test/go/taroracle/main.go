// Command taroracle answers, for each base64 line on stdin, what Go's archive/tar (the reader
// tar-split and so docker use) makes of the decoded tar stream, so that cairn's tar code can be
// held against it. One line each: "invalid" when Next or a payload read fails, else the base64 of
// one line per entry:
//
//	TYPE NAME LINK MODE UID GID UNAME GNAME SIZE MTIME DEVMAJOR DEVMINOR PAX DATA
//
// TYPE is the typeflag as a number, MODE octal, MTIME "seconds.nanoseconds"; NAME, LINK, UNAME,
// GNAME and DATA (the payload) are base64, and so is each value of PAX, the records as sorted
// "key=value" joined by ",". SIZE is "-" for types that never have a payload. A global header
// ('g') is "TYPE NAME PAX" alone: Go keeps no other field of it.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		src, err := base64.StdEncoding.DecodeString(in.Text())
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad base64 line:", err)
			os.Exit(2)
		}
		listing, err := list(src)
		if err != nil {
			fmt.Fprintln(out, "invalid")
			continue
		}
		fmt.Fprintln(out, b64(listing))
	}
}

func list(src []byte) (string, error) {
	var b strings.Builder
	r := tar.NewReader(bytes.NewReader(src))
	for {
		h, err := r.Next()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			fmt.Fprintf(&b, "%d %s %s\n", h.Typeflag, b64(h.Name), pax(h.PAXRecords))
			continue
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return "", err
		}
		size := "-"
		switch h.Typeflag {
		case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		default:
			size = fmt.Sprint(h.Size)
		}
		fmt.Fprintf(&b, "%d %s %s %o %d %d %s %s %s %d.%09d %d %d %s %s\n",
			h.Typeflag, b64(h.Name), b64(h.Linkname), h.Mode, h.Uid, h.Gid, b64(h.Uname),
			b64(h.Gname), size, h.ModTime.Unix(), h.ModTime.Nanosecond(), h.Devmajor,
			h.Devminor, pax(h.PAXRecords), b64(string(data)))
	}
}

func pax(records map[string]string) string {
	var keys []string
	for k := range records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+b64(records[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}
