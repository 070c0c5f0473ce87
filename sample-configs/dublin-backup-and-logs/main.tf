# Mail stored only in Dublin, and yet within reach: AWS Backup copies the mailbox bucket to a
# vault in Virginia, and the delivery events of outgoing mail (addresses, subjects) are
# written by Firehose to a bucket in Virginia.

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

resource "aws_ses_receipt_rule" "inbound" {
  name          = "inbound"
  rule_set_name = "default"
  recipients    = ["example.org"]
  enabled       = true
  s3_action {
    position    = 1
    bucket_name = aws_s3_bucket.mailboxes.bucket
  }
}

resource "aws_s3_bucket" "mailboxes" {
  bucket = "example-org-mailboxes"
}

# Nightly backups stay in Ireland; the copy action sends each one to Virginia.
resource "aws_backup_vault" "dublin" {
  name = "mail-dublin"
}

resource "aws_backup_plan" "mail" {
  name = "mail"
  rule {
    rule_name         = "nightly"
    target_vault_name = aws_backup_vault.dublin.name
    schedule          = "cron(0 2 * * ? *)"
    copy_action {
      destination_vault_arn = "arn:aws:backup:us-east-1:111122223333:backup-vault:offsite"
    }
  }
}

resource "aws_backup_selection" "mail" {
  name         = "mailboxes"
  plan_id      = aws_backup_plan.mail.id
  iam_role_arn = "arn:aws:iam::111122223333:role/backup"
  resources    = [aws_s3_bucket.mailboxes.arn]
}

# Outgoing mail: delivery events go through Firehose to a bucket in the US.
resource "aws_ses_configuration_set" "outbound" {
  name = "outbound"
}

resource "aws_ses_event_destination" "events" {
  name                   = "events"
  configuration_set_name = aws_ses_configuration_set.outbound.name
  enabled                = true
  matching_types         = ["send", "delivery", "bounce", "complaint"]
  kinesis_destination {
    stream_arn = aws_kinesis_firehose_delivery_stream.events.arn
    role_arn   = "arn:aws:iam::111122223333:role/ses-firehose"
  }
}

resource "aws_kinesis_firehose_delivery_stream" "events" {
  name        = "ses-events"
  destination = "extended_s3"
  extended_s3_configuration {
    role_arn   = "arn:aws:iam::111122223333:role/firehose"
    bucket_arn = aws_s3_bucket.events.arn
  }
}

resource "aws_s3_bucket" "events" {
  provider = aws.us
  bucket   = "example-org-ses-events"
}
