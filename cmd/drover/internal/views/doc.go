// Package views renders what drover's commands show: each thing shown (a
// status, a plan, events, the validation of specs) is one value, written
// for people or as JSON by the View that the command's output flag chose,
// the way Terraform's command/views does.
package views
