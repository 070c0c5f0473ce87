# Someone moved disaster recovery to the cheapest region.
dr_region = "us-east-1"
