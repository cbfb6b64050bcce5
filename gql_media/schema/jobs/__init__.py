"""The contract of the jobs domain: the Job type, its filter, results, enums."""
