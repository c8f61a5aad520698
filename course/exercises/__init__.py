"""Exercise logic, apart from its views: how each kind of question is asked, judged and explained."""
