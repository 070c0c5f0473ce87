# iRedMail on a DigitalOcean droplet in London: no boot script names the mail server (it is
# installed by hand), but the firewall opens SMTP and IMAP to it, and DNS sends the domain's mail
# there.
terraform {
  required_providers {
    digitalocean = {
      source = "digitalocean/digitalocean"
    }
  }
}

resource "digitalocean_droplet" "mail" {
  name   = "mail"
  region = "lon1"
  size   = "s-2vcpu-4gb"
  image  = "ubuntu-24-04-x64"
}

resource "digitalocean_volume" "vmail" {
  name   = "vmail"
  region = "lon1"
  size   = 100
}

resource "digitalocean_volume_attachment" "vmail" {
  droplet_id = digitalocean_droplet.mail.id
  volume_id  = digitalocean_volume.vmail.id
}

resource "digitalocean_firewall" "mail" {
  name        = "mail"
  droplet_ids = [digitalocean_droplet.mail.id]

  inbound_rule {
    protocol         = "tcp"
    port_range       = "25"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  inbound_rule {
    protocol         = "tcp"
    port_range       = "993"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }
}

resource "digitalocean_record" "mail" {
  domain = "example.com"
  type   = "A"
  name   = "mail"
  value  = digitalocean_droplet.mail.ipv4_address
}

resource "digitalocean_record" "mx" {
  domain   = "example.com"
  type     = "MX"
  name     = "@"
  priority = 10
  value    = "mail.example.com."
}
