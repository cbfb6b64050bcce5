"""The contract of the assets domain: types, inputs, results, enums, stats."""
