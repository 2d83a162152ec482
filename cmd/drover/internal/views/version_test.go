package views

import "testing"

func TestVersion(t *testing.T) {
	release := Version{Version: "v1.2.3", Commit: "0123456789ab", Go: "go1.26.8", Platform: "linux/amd64"}
	dev := Version{Version: "dev", Go: "go1.26.8", Platform: "darwin/arm64"}
	for _, tc := range []struct {
		name string
		ver  Version
		f    Format
		want string
	}{
		{"release text", release, Text, "drover v1.2.3 (go1.26.8, commit 0123456789ab, linux/amd64)\n"},
		{"dev text", dev, Text, "drover dev (go1.26.8, darwin/arm64)\n"},
		{"release json", release, JSON, `{"version":"v1.2.3","commit":"0123456789ab","go":"go1.26.8","platform":"linux/amd64"}` + "\n"},
		{"dev json", dev, JSON, `{"version":"dev","go":"go1.26.8","platform":"darwin/arm64"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := render(t, tc.f, func(v *View) error { return v.Version(tc.ver) })
			wantText(t, "out", out, tc.want)
		})
	}
}
