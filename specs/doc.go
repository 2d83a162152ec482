// Package specs loads drover's HCL specs into a typed, validated Spec:
// variables, locals and functions are evaluated, plugin blocks are checked
// against the schemas their plugins declare, references are resolved, and
// every resource gets a canonical form and a stable hash. Every problem is
// reported at once, with its file, line, column and source.
package specs
