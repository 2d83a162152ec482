package vanilla

import s "github.com/drover/drover/schema"

// PluginName is the name specs use: flavor "vanilla" {}.
const PluginName = "vanilla"

// Schema is the body of a group's flavor "vanilla" {}.
func Schema() *s.Block {
	return &s.Block{Attributes: []s.Attribute{
		{Name: "init", Type: s.String, Description: "script run when the machine starts"},
		{Name: "labels", Type: s.MapOf(s.String), Description: "tags added to every machine"},
	}}
}
