// Package format rewrites drover specs (HCL files) into their canonical
// layout, the engine behind `drover fmt`, and reports which files would
// change, optionally as unified diffs.
package format
