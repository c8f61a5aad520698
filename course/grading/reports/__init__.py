"""Reports of what a class misunderstood: item analysis, decision funnels, the HTML report."""
