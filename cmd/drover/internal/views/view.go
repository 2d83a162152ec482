package views

import "io"

// View writes what a command shows in the format chosen once, from its
// output flag: results on Out; with Text, the diagnostics that go with
// them on Err.
type View struct {
	Out, Err io.Writer
	Format   Format
}

// New is a view writing to out and err in format f.
func New(out, err io.Writer, f Format) *View { return &View{Out: out, Err: err, Format: f} }

// json says whether the view writes JSON.
func (v *View) json() bool { return v.Format == JSON }
