// Command engineimage is a reference, in Go, for how Docker 20.10 reads image JSON: copies of the
// field sets, order and tags of its image.Image, image.V1Image, container.Config and
// strslice.StrSlice, decoded and encoded with Go's own encoding/json.
//
// Input (stdin): one JSON object per line.
//
//	{"image": "<image JSON>"}: decoded into image.Image; answers
//	  {"config": ..., "container_config": ..., "v1": ..., "history": ...} (each a string holding
//	  Go's encoding: Config, ContainerConfig, the embedded V1Image less id, parent and Size, and
//	  the history with every field written) or {"error": "..."}.
//	{"schema1": ["<v1Compatibility>", ...], "diff_ids": ["sha256:...", ...]}: base first, the
//	  config docker's schema1 pull makes (MakeConfigFromV1Config with HistoryFromConfig and the
//	  throwaway flag): {"config": "..."} or {"error": "..."}.
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"time"
)

// strSlice decodes a string as a one-element list, as docker's strslice.StrSlice.
type strSlice []string

func (e *strSlice) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	p := make([]string, 0, 1)
	if err := json.Unmarshal(b, &p); err != nil {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		p = append(p, s)
	}
	*e = p
	return nil
}

type healthConfig struct {
	Test        []string      `json:",omitempty"`
	Interval    time.Duration `json:",omitempty"`
	Timeout     time.Duration `json:",omitempty"`
	StartPeriod time.Duration `json:",omitempty"`
	Retries     int           `json:",omitempty"`
}

type containerConfig struct {
	Hostname        string
	Domainname      string
	User            string
	AttachStdin     bool
	AttachStdout    bool
	AttachStderr    bool
	ExposedPorts    map[string]struct{} `json:",omitempty"`
	Tty             bool
	OpenStdin       bool
	StdinOnce       bool
	Env             []string
	Cmd             strSlice
	Healthcheck     *healthConfig `json:",omitempty"`
	ArgsEscaped     bool          `json:",omitempty"`
	Image           string
	Volumes         map[string]struct{}
	WorkingDir      string
	Entrypoint      strSlice
	NetworkDisabled bool   `json:",omitempty"`
	MacAddress      string `json:",omitempty"`
	OnBuild         []string
	Labels          map[string]string
	StopSignal      string   `json:",omitempty"`
	StopTimeout     *int     `json:",omitempty"`
	Shell           strSlice `json:",omitempty"`
}

type v1Image struct {
	ID              string           `json:"id,omitempty"`
	Parent          string           `json:"parent,omitempty"`
	Comment         string           `json:"comment,omitempty"`
	Created         time.Time        `json:"created"`
	Container       string           `json:"container,omitempty"`
	ContainerConfig containerConfig  `json:"container_config,omitempty"`
	DockerVersion   string           `json:"docker_version,omitempty"`
	Author          string           `json:"author,omitempty"`
	Config          *containerConfig `json:"config,omitempty"`
	Architecture    string           `json:"architecture,omitempty"`
	Variant         string           `json:"variant,omitempty"`
	OS              string           `json:"os,omitempty"`
	Size            int64            `json:",omitempty"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids,omitempty"`
}

type history struct {
	Created    time.Time `json:"created,omitempty"`
	Author     string    `json:"author,omitempty"`
	CreatedBy  string    `json:"created_by,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	EmptyLayer bool      `json:"empty_layer,omitempty"`
}

type image struct {
	v1Image
	Parent     string    `json:"parent,omitempty"`
	RootFS     *rootFS   `json:"rootfs,omitempty"`
	History    []history `json:"history,omitempty"`
	OSVersion  string    `json:"os.version,omitempty"`
	OSFeatures []string  `json:"os.features,omitempty"`
}

// allHistory writes every field of a step, so that an empty one is told from a missing one.
type allHistory struct {
	Created    string `json:"created"`
	Author     string `json:"author"`
	CreatedBy  string `json:"created_by"`
	Comment    string `json:"comment"`
	EmptyLayer bool   `json:"empty_layer"`
}

func marshal(v interface{}) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeImage(src []byte) (map[string]string, error) {
	var img image
	if err := json.Unmarshal(src, &img); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var err error
	if out["config"], err = marshal(img.Config); err != nil {
		return nil, err
	}
	if out["container_config"], err = marshal(img.ContainerConfig); err != nil {
		return nil, err
	}
	v1 := img.v1Image
	v1.ID, v1.Parent, v1.Size = "", "", 0
	if out["v1"], err = marshal(v1); err != nil {
		return nil, err
	}
	steps := []allHistory{}
	for _, h := range img.History {
		steps = append(steps, allHistory{
			h.Created.Format(time.RFC3339Nano), h.Author, h.CreatedBy, h.Comment, h.EmptyLayer})
	}
	if out["history"], err = marshal(steps); err != nil {
		return nil, err
	}
	out["rootfs"] = strconv.FormatBool(img.RootFS != nil)
	out["os_version"] = img.OSVersion
	return out, nil
}

// versionLess is docker's api/types/versions.LessThan.
func versionLess(a, b string) bool {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	n := len(at)
	if len(bt) > n {
		n = len(bt)
	}
	for i := 0; i < n; i++ {
		var x, y int
		if i < len(at) {
			x, _ = strconv.Atoi(at[i])
		}
		if i < len(bt) {
			y, _ = strconv.Atoi(bt[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func raw(v interface{}) *json.RawMessage {
	b, _ := json.Marshal(v)
	r := json.RawMessage(b)
	return &r
}

// schema1Config follows distribution/pull_v2.go pullSchema1 and image/v1/imagev1.go.
func schema1Config(v1s []string, diffIDs []string) (string, error) {
	root := rootFS{Type: "layers"}
	var steps []history
	for i, v1 := range v1s {
		var throwAway struct {
			ThrowAway bool `json:"throwaway,omitempty"`
		}
		if err := json.Unmarshal([]byte(v1), &throwAway); err != nil {
			return "", err
		}
		var img v1Image
		if err := json.Unmarshal([]byte(v1), &img); err != nil {
			return "", err
		}
		cmd := []string(img.ContainerConfig.Cmd)
		steps = append(steps, history{
			Author:     img.Author,
			Created:    img.Created,
			CreatedBy:  strings.Join(cmd, " "),
			Comment:    img.Comment,
			EmptyLayer: throwAway.ThrowAway,
		})
		if !throwAway.ThrowAway {
			root.DiffIDs = append(root.DiffIDs, diffIDs[i])
		}
	}
	top := []byte(v1s[len(v1s)-1])
	var dver struct {
		DockerVersion string `json:"docker_version"`
	}
	if err := json.Unmarshal(top, &dver); err != nil {
		return "", err
	}
	if versionLess(dver.DockerVersion, "1.8.3") {
		var img v1Image
		if err := json.Unmarshal(top, &img); err != nil {
			return "", err
		}
		var err error
		if top, err = json.Marshal(img); err != nil {
			return "", err
		}
	}
	var c map[string]*json.RawMessage
	if err := json.Unmarshal(top, &c); err != nil {
		return "", err
	}
	for _, k := range []string{"id", "parent", "Size", "parent_id", "layer_id", "throwaway"} {
		delete(c, k)
	}
	c["rootfs"] = raw(root)
	c["history"] = raw(steps)
	return marshal(c)
}

type request struct {
	Image   *string  `json:"image"`
	Schema1 []string `json:"schema1"`
	DiffIDs []string `json:"diff_ids"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			enc.Encode(map[string]string{"error": "bad request: " + err.Error()})
			continue
		}
		if r.Image != nil {
			answer, err := decodeImage([]byte(*r.Image))
			if err != nil {
				answer = map[string]string{"error": err.Error()}
			}
			enc.Encode(answer)
			continue
		}
		config, err := schema1Config(r.Schema1, r.DiffIDs)
		if err != nil {
			enc.Encode(map[string]string{"error": err.Error()})
			continue
		}
		enc.Encode(map[string]string{"config": config})
	}
}
