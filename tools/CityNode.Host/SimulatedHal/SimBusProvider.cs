using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using CityNode.Host.Ports;

namespace CityNode.Host.SimulatedHal;

/// <summary>The buses of a simulated board: what the sensor factory opens, with the simulated chips already wired.</summary>
public sealed class SimBusProvider : IBusProvider
{
    private readonly Dictionary<int, SimI2cBus> _i2c = new();
    private readonly Dictionary<string, SimUart> _uarts = new();

    public SimBusProvider(VirtualClock clock)
    {
        Clock = clock;
        SimClock = clock;
    }

    public IClock Clock { get; }

    public VirtualClock SimClock { get; }

    public SimAdc SimAdc { get; } = new();

    public SimI2cBus SimI2c(int busId)
    {
        if (!_i2c.TryGetValue(busId, out var bus))
        {
            _i2c[busId] = bus = new SimI2cBus();
        }

        return bus;
    }

    /// <summary>Puts a simulated device on a serial port.</summary>
    public SimUart Attach(string port, IUartDevice device, int baud = 9600)
    {
        var line = new SimUart(SimClock, baud, seed: port.GetHashCode()) { Device = device };
        _uarts[port] = line;
        return line;
    }

    public II2cBus I2c(int busId) => SimI2c(busId);

    /// <summary>The buses and lines with devices on them (to solder them to a twin board).</summary>
    public IReadOnlyDictionary<int, SimI2cBus> I2cBuses => _i2c;

    public IReadOnlyDictionary<string, SimUart> Uarts => _uarts;

    public IUart Uart(string port, int baud) => _uarts.TryGetValue(port, out var u) ? u : Attach(port, new NothingThere(), baud);

    public IAdc Adc() => SimAdc;

    public IBmxx80Port Bmxx80(int busId, int address, bool bme680) => new BindingBme280Port(SimI2c(busId), address);

    /// <summary>An empty port: writes go nowhere, nothing comes back.</summary>
    private sealed class NothingThere : IUartDevice
    {
        public void OnReceive(ReadOnlySpan<byte> data, long nowMs, SimUart line)
        {
        }

        public void Produce(long untilMs, SimUart line)
        {
        }
    }
}
