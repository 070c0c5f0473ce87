# A provider block with no region: Terraform takes it from the environment (AWS_REGION or the
# shared config), which the files do not show. residency reports the location as unknown rather
# than guessing (MSI003); pass --region to say where it is deployed.

provider "aws" {}

resource "aws_workmail_organization" "corp" {
  organization_alias = "example-corp"
}

resource "aws_ses_receipt_rule" "to_workmail" {
  name          = "deliver"
  rule_set_name = "inbound"
  recipients    = ["corp.example.com"]

  workmail_action {
    organization_arn = aws_workmail_organization.corp.arn
    position         = 1
  }
}
