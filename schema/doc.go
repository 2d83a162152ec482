// Package schema is the schema language of drover specs: the attributes and
// blocks that a resource or a plugin accepts, their types, defaults and
// sensitivity, and the one decoder that checks an HCL body against them.
// Schemas are plain data, so external plugins can declare theirs over the
// wire and have their blocks checked at validate time like built-ins.
package schema
