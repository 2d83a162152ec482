# want: Spec limit exceeded: 
group "g" {
  logical_ids = [for i in flatten([for a in range(11): range(1000)]): "m${i}"]
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}
