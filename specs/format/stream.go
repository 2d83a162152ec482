package format

import (
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// StdinName stands for standard input in diagnostics, in Result.Path and in
// diff headers.
const StdinName = "<stdin>"

// Stream formats the spec read from r, for the "-" argument. It writes to w
// the unified diff if opts.Diff is set, else nothing if opts.Check is set,
// else the formatted text; opts.Write and opts.Recursive are ignored. On
// syntax errors it writes nothing and returns the diagnostics. The Result
// says whether the input was already formatted, as for a file.
func Stream(r io.Reader, w io.Writer, opts Options) (Result, hcl.Diagnostics, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return Result{}, nil, fmt.Errorf("read %s: %w", StdinName, err)
	}
	out, diags := Source(StdinName, src)
	if diags.HasErrors() {
		return Result{}, diags, nil
	}
	res, err := newResult(opts, StdinName, src, out)
	if err != nil {
		return Result{}, diags, err
	}
	switch {
	case opts.Diff:
		_, err = io.WriteString(w, res.Diff)
	case !opts.Check:
		_, err = w.Write(out)
	}
	if err != nil {
		return res, diags, fmt.Errorf("write formatted %s: %w", StdinName, err)
	}
	return res, diags, nil
}
