using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>A simulated I2C target: answers the bytes a controller writes and reads, as the chip's datasheet says.</summary>
public interface II2cTarget
{
    I2cStatus OnWrite(ReadOnlySpan<byte> data);

    I2cStatus OnRead(Span<byte> buffer);
}
