# Mail is received and stored in Dublin, but the bucket replicates to Northern Virginia for
# disaster recovery. The ruling protected only content stored *exclusively* abroad, so the
# replica is exposed (MSI001) and the mail is no longer "only abroad".

provider "aws" {
  region = var.primary_region
}

# The disaster-recovery provider configuration, passed to the replica module.
provider "aws" {
  alias  = "dr"
  region = var.dr_region
}

resource "aws_ses_receipt_rule" "inbound" {
  name          = "store-inbound"
  rule_set_name = "inbound"
  recipients    = ["mail.example.com"]

  s3_action {
    bucket_name = aws_s3_bucket.inbox.bucket
    position    = 1
  }
}

resource "aws_s3_bucket" "inbox" {
  bucket = "${local.name}-inbox"
}

module "replica" {
  source    = "./modules/replica"
  providers = { aws = aws.dr }
  name      = "${local.name}-inbox-dr"
}

resource "aws_s3_bucket_replication_configuration" "dr" {
  bucket = aws_s3_bucket.inbox.id
  role   = "arn:aws:iam::123456789012:role/replication"

  rule {
    id     = "everything"
    status = "Enabled"
    destination {
      bucket = module.replica.bucket_arn
    }
  }
}
