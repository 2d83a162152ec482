# Web tier.
// Also a line comment.
group "web" {
  /* A block comment
     spanning two lines. */
  size      = 3 # three replicas
  max_surge = 1 // one at a time
  instance "docker" {
    # Pinned for reproducibility.
    image = "demo/whoami:1" /* inline */
  }
}
