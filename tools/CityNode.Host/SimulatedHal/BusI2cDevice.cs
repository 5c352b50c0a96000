using System.Device.I2c;
using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// Presents one address of an <see cref="II2cBus"/> as a System.Device.I2c.I2cDevice, so the
/// .NET IoT bindings (Iot.Device.Bindings' Bme280, the library nanoFramework's Bmxx80 was ported
/// from) talk to simulated chips through the same bus the portable drivers use. A NACK becomes an
/// IOException, as the Linux I2C driver reports it.
/// </summary>
public sealed class BusI2cDevice : I2cDevice
{
    private readonly II2cBus _bus;

    public BusI2cDevice(II2cBus bus, int busId, int address)
    {
        _bus = bus;
        ConnectionSettings = new I2cConnectionSettings(busId, address);
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    public override void Read(Span<byte> buffer)
    {
        var tmp = new byte[buffer.Length];
        Check(_bus.Read(ConnectionSettings.DeviceAddress, tmp, 0, tmp.Length));
        tmp.CopyTo(buffer);
    }

    public override void WriteByte(byte value) => Write(new[] { value });

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var tmp = buffer.ToArray();
        Check(_bus.Write(ConnectionSettings.DeviceAddress, tmp, 0, tmp.Length));
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void Check(I2cStatus status)
    {
        if (status != I2cStatus.Ok)
        {
            throw new IOException($"I2C 0x{ConnectionSettings.DeviceAddress:X2}: {status}");
        }
    }
}
