variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
