using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// A simulated I2C controller: routes each transaction to the target at its 7-bit address;
/// an address with no target is not acknowledged, as on a real bus.
/// </summary>
public sealed class SimI2cBus : II2cBus
{
    private readonly Dictionary<int, II2cTarget> _targets = new();

    public void Attach(int address, II2cTarget target) => _targets[address] = target;

    public void Detach(int address) => _targets.Remove(address);

    /// <summary>Transactions seen, per address (for tests of bus traffic).</summary>
    public Dictionary<int, int> Transactions { get; } = new();

    public I2cStatus Write(int address, byte[] buffer, int offset, int count)
    {
        Count(address);
        return _targets.TryGetValue(address, out var t) ? t.OnWrite(buffer.AsSpan(offset, count)) : I2cStatus.Nack;
    }

    public I2cStatus Read(int address, byte[] buffer, int offset, int count)
    {
        Count(address);
        return _targets.TryGetValue(address, out var t) ? t.OnRead(buffer.AsSpan(offset, count)) : I2cStatus.Nack;
    }

    private void Count(int address) => Transactions[address] = Transactions.GetValueOrDefault(address) + 1;
}
