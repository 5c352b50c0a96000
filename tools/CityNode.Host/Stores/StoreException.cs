namespace CityNode.Host.Stores;

/// <summary>A receiver database cannot be opened or used; the message says which and why.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
