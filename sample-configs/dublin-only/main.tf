# The Dublin situation of the Microsoft Ireland case: mail received by SES in Ireland and stored
# in a bucket in Ireland, with no copy anywhere else. Under the 2016 ruling a US warrant could not
# reach it (MSI004); under the CLOUD Act it can, because Amazon controls it (CLD001).

provider "aws" {
  region = "eu-west-1" # Europe (Ireland), Dublin
}

resource "aws_ses_receipt_rule_set" "main" {
  rule_set_name = "inbound"
}

resource "aws_ses_receipt_rule" "store" {
  name          = "store-inbound"
  rule_set_name = aws_ses_receipt_rule_set.main.rule_set_name
  recipients    = ["mail.example.ie"]
  enabled       = true
  scan_enabled  = true

  # SES writes the full raw message to this bucket.
  s3_action {
    bucket_name = aws_s3_bucket.mailbox.id
    position    = 1
  }
}

resource "aws_s3_bucket" "mailbox" {
  bucket = "example-ie-mailbox"
}
