"""Live AWS collectors: Cost Explorer, Budgets, Organizations, inventory and CloudWatch, via boto3."""
