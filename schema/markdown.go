package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown documents a block for people: a table of its attributes
// (type, default, description) and, below it, each nested block titled by
// its path ("group > health"). heading is the Markdown heading level of the
// block's title.
func (b *Block) WriteMarkdown(w io.Writer, title string, heading int) error {
	var sb strings.Builder
	b.markdown(&sb, title, heading)
	_, err := io.WriteString(w, sb.String())
	return err
}

func (b *Block) markdown(sb *strings.Builder, title string, heading int) {
	fmt.Fprintf(sb, "%s %s\n\n", strings.Repeat("#", heading), title)
	if b.Description != "" {
		fmt.Fprintf(sb, "%s.\n\n", strings.TrimSuffix(b.Description, "."))
	}
	var notes []string
	if b.Repeated {
		notes = append(notes, "may appear more than once")
	}
	if b.Required {
		notes = append(notes, "required")
	}
	if b.Implicit {
		notes = append(notes, "its defaults apply when it is left out")
	}
	if b.Plugin != "" {
		notes = append(notes, fmt.Sprintf("the label names the %s plugin; its own attributes go in the body", b.Plugin))
	}
	if len(notes) > 0 {
		fmt.Fprintf(sb, "*%s.*\n\n", strings.Join(notes, "; "))
	}
	if len(b.Attributes) == 0 && len(b.Blocks) == 0 {
		sb.WriteString("No attributes.\n\n")
		return
	}
	if len(b.Attributes) > 0 {
		sb.WriteString("| attribute | type | default | description |\n|---|---|---|---|\n")
		for _, a := range b.Attributes {
			fmt.Fprintf(sb, "| `%s` | %s | %s | %s |\n", a.Name, a.Type, a.defaultText(), a.describe())
		}
		sb.WriteString("\n")
	}
	for i := range b.Blocks {
		nb := &b.Blocks[i]
		name := nb.Type
		for _, l := range nb.Labels {
			name += fmt.Sprintf(" %s", strings.ToUpper(l))
		}
		nb.markdown(sb, title+" > "+name, heading+1)
	}
}

func (a *Attribute) defaultText() string {
	switch {
	case a.Required:
		return "required"
	case a.Default == nil:
		return "—"
	}
	b, err := json.Marshal(a.Default)
	if err != nil {
		return fmt.Sprint(a.Default)
	}
	return "`" + string(b) + "`"
}

func (a *Attribute) describe() string {
	var parts []string
	if a.Description != "" {
		parts = append(parts, a.Description)
	}
	if len(a.OneOf) > 0 {
		parts = append(parts, "one of "+quoteList(a.OneOf))
	}
	if a.Min != nil {
		parts = append(parts, fmt.Sprintf("at least %v", *a.Min))
	}
	if a.Max != nil {
		parts = append(parts, fmt.Sprintf("at most %v", *a.Max))
	}
	if a.Sensitive {
		parts = append(parts, "**sensitive**: never shown")
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), "|", `\|`)
}
