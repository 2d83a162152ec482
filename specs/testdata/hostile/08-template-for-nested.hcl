# want: Spec limit exceeded: 
locals {
  x = "%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}"
}
