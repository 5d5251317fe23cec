// Command jsonoracle answers, for each base64 line on stdin, what Go's encoding/json makes of
// the decoded bytes, so that cairn's JSON code can be held against it. One line each:
//
//	invalid OFFSET MESSAGE         json.Valid refuses it: Unmarshal's SyntaxError offset and
//	                               text (base64)
//	COMPACT INDENT STRING OBJECT   else, each base64: the input re-emitted as a json.RawMessage
//	                               (compacted, HTML characters escaped); json.Indent with three
//	                               spaces; for a top-level string, json.Marshal of the value
//	                               Unmarshal decodes; for a top-level object, json.Marshal of
//	                               the map[string]json.RawMessage Unmarshal makes of it ("-"
//	                               where not a string or not an object)
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := base64.StdEncoding
	for in.Scan() {
		src, err := enc.DecodeString(in.Text())
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad base64 line:", err)
			os.Exit(2)
		}
		if !json.Valid(src) {
			var v interface{}
			err := json.Unmarshal(src, &v)
			offset := int64(-1)
			if se, ok := err.(*json.SyntaxError); ok {
				offset = se.Offset
			}
			fmt.Fprintln(out, "invalid", offset, enc.EncodeToString([]byte(err.Error())))
			continue
		}
		var indent bytes.Buffer
		compact, err := json.Marshal(json.RawMessage(src))
		if err != nil {
			panic(err)
		}
		if err := json.Indent(&indent, src, "", "   "); err != nil {
			panic(err)
		}
		str := "-"
		var s string
		// Unmarshal leaves a string alone for null: only a string literal counts.
		if bytes.HasPrefix(bytes.TrimLeft(src, " \t\r\n"), []byte(`"`)) && json.Unmarshal(src, &s) == nil {
			b, err := json.Marshal(s)
			if err != nil {
				panic(err)
			}
			str = enc.EncodeToString(b)
		}
		object := "-"
		var m map[string]json.RawMessage
		if bytes.HasPrefix(bytes.TrimLeft(src, " \t\r\n"), []byte("{")) && json.Unmarshal(src, &m) == nil {
			b, err := json.Marshal(m)
			if err != nil {
				panic(err)
			}
			object = enc.EncodeToString(b)
		}
		fmt.Fprintln(out, enc.EncodeToString(compact), enc.EncodeToString(indent.Bytes()), str, object)
	}
}
