"""typing.Protocol interfaces, one per backend kind. Adapters implement them."""
