package views

import "fmt"

// Version is drover's build (drover version).
type Version struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
	// Platform is GOOS/GOARCH.
	Platform string `json:"platform"`
}

// Version shows ver on a line: "drover v1.2.3 (go1.26.8, commit
// 0123456789ab, linux/amd64)", or as a JSON object.
func (v *View) Version(ver Version) error {
	if v.json() {
		return writeLine(v.Out, ver)
	}
	commit := ""
	if ver.Commit != "" {
		commit = ", commit " + ver.Commit
	}
	_, err := fmt.Fprintf(v.Out, "drover %s (%s%s, %s)\n", ver.Version, ver.Go, commit, ver.Platform)
	return err
}
