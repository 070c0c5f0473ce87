#!/usr/bin/env bash
# Benchmark: generates a large synthetic Terraform + CloudFormation tree (N root modules, each
# with a mail rule, buckets, replication and a local module) and times `residency scan` on it.
#   benches/scan.sh [N]        (default N=500 → about 1,500 files)
# Needs only bash and cargo; uses hyperfine when installed, `time` otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-500}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/modules/replica"
cat > "$WORK/modules/replica/main.tf" <<'TF'
variable "name" { type = string }
resource "aws_s3_bucket" "this" { bucket = var.name }
output "arn" { value = aws_s3_bucket.this.arn }
TF
regions=(eu-west-1 eu-central-1 us-east-1 ap-southeast-2 eu-north-1)
for i in $(seq 1 "$N"); do
  d="$WORK/stack$i"; mkdir -p "$d"
  r="${regions[$((i % ${#regions[@]}))]}"
  cat > "$d/main.tf" <<TF
provider "aws" { region = var.region }
provider "aws" {
  alias  = "dr"
  region = "us-east-1"
}
variable "region" { default = "$r" }
locals { name = "mail-$i" }
resource "aws_ses_receipt_rule" "in" {
  name          = "in-$i"
  rule_set_name = "rs"
  s3_action {
    bucket_name = aws_s3_bucket.inbox.id
    position    = 1
  }
  sns_action {
    topic_arn = "arn:aws:sns:$r:123456789012:t$i"
    position  = 2
  }
}
resource "aws_s3_bucket" "inbox" { bucket = "\${local.name}-inbox" }
module "replica" {
  source    = "../modules/replica"
  providers = { aws = aws.dr }
  name      = "\${local.name}-dr"
}
resource "aws_s3_bucket_replication_configuration" "dr" {
  bucket = aws_s3_bucket.inbox.id
  role   = "arn:aws:iam::1:role/r"
  rule {
    status = "Enabled"
    destination { bucket = module.replica.arn }
  }
}
TF
  cat > "$d/extra.tf" <<TF
resource "aws_s3_bucket" "logs" {
  count  = 3
  bucket = "logs-$i-\${count.index}"
}
TF
  cat > "$d/stack.yaml" <<YAML
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Box:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'box-$i-\${AWS::Region}'
  Rule:
    Type: AWS::SES::ReceiptRule
    Properties:
      Rule:
        Actions:
          - S3Action:
              BucketName: !Ref Box
YAML
done
cargo build --release -q
BIN=target/release/residency
echo "files: $(find "$WORK" -type f | wc -l)"
"$BIN" scan "$WORK" --region eu-west-1 --color never | tail -2 | head -1 || true
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 -i "$BIN scan $WORK --region eu-west-1 --format json --output /dev/null"
else
  time "$BIN" scan "$WORK" --region eu-west-1 --format json --output /dev/null || true
fi
