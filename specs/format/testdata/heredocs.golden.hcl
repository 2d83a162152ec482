group "web" {
  instance "docker" {
    description = <<EOT
  Serves the whoami demo.
     Indentation inside a heredoc is kept.
EOT
    script      = <<-EOS
      #!/bin/sh
      exec whoami --port 8080
    EOS
  }
}
