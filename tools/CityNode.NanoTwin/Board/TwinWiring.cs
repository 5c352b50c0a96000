using CityNode.Hal;

namespace CityNode.NanoTwin;

/// <summary>
/// What is soldered to the board's pins, and which peripheral the GPIO matrix routes to each pin
/// now. The matrix is RAM state: every reset goes back to the firmware's defaults, so the program
/// must call Configuration.SetPinFunction at every boot.
/// </summary>
public sealed class TwinWiring
{
    // nf-interpreter targets/ESP32/_common/ESP32_*_DeviceMapping.cpp (via ../shared/notes/nanoframework-api.md §3):
    // I2C1 SDA 18 / SCL 19, I2C2 SDA 25 / SCL 26, COM1 = UART0 on 1 (TX) / 3 (RX); COM2 and COM3 have no pins until mapped.
    private static readonly Dictionary<string, int> Defaults = new()
    {
        ["I2C1_DATA"] = 18, ["I2C1_CLOCK"] = 19, ["I2C2_DATA"] = 25, ["I2C2_CLOCK"] = 26,
        ["COM1_TX"] = 1, ["COM1_RX"] = 3,
    };

    private readonly TwinBoard _board;
    private readonly Dictionary<string, int> _functionPin = new();
    private readonly List<(int Sda, int Scl, II2cBus Bus)> _i2c = new();
    private readonly List<(int Rx, int Tx, ISerialLine Line)> _serial = new();
    private readonly Dictionary<int, Func<int>> _analog = new();

    internal TwinWiring(TwinBoard board)
    {
        _board = board;
        Reset();
    }

    /// <summary>Solders an I2C bus (its devices) to two GPIOs.</summary>
    public void AttachI2c(int sdaPin, int sclPin, II2cBus bus) => _i2c.Add((sdaPin, sclPin, bus));

    /// <summary>Solders a serial device: the board receives on <paramref name="rxPin"/>, sends on <paramref name="txPin"/>.</summary>
    public void AttachSerial(int rxPin, int txPin, ISerialLine line) => _serial.Add((rxPin, txPin, line));

    /// <summary>Puts a voltage source (millivolts at the pin, negative = not connected) on an ADC channel's pin.</summary>
    public void AttachAnalog(int adcChannel, Func<int> millivolts) => _analog[adcChannel] = millivolts;

    /// <summary>Configuration.SetPinFunction: routes a peripheral signal (DeviceFunction name) to a GPIO.</summary>
    public void SetPinFunction(int pin, string function)
    {
        _board.EnsureRunning();
        _functionPin[function] = pin;
    }

    /// <summary>The GPIO a peripheral signal is routed to now, or -1.</summary>
    public int PinOf(string function) => _functionPin.TryGetValue(function, out int p) ? p : -1;

    /// <summary>The bus on the pins I2C port <paramref name="busId"/> (1 or 2) uses now; null when nothing is soldered there.</summary>
    public II2cBus? I2cOn(int busId)
    {
        int sda = PinOf($"I2C{busId}_DATA"), scl = PinOf($"I2C{busId}_CLOCK");
        foreach (var w in _i2c)
        {
            if (w.Sda == sda && w.Scl == scl)
            {
                return w.Bus;
            }
        }

        return null;
    }

    /// <summary>The serial device on the pins COM<paramref name="port"/> uses now; null when its pins lead nowhere.</summary>
    public ISerialLine? SerialOn(int port)
    {
        int rx = PinOf($"COM{port}_RX"), tx = PinOf($"COM{port}_TX");
        foreach (var w in _serial)
        {
            if (w.Rx == rx && w.Tx == tx)
            {
                return w.Line;
            }
        }

        return null;
    }

    /// <summary>Millivolts at an ADC channel's pin, or null when nothing is connected.</summary>
    public int? AnalogOn(int adcChannel) => _analog.TryGetValue(adcChannel, out var f) ? f() : null;

    internal void Reset()
    {
        _functionPin.Clear();
        foreach (var d in Defaults)
        {
            _functionPin[d.Key] = d.Value;
        }
    }
}

/// <summary>
/// A serial device's line as the board's UART sees it: bytes arrive at known times on the
/// world's clock (one every 10 bit times at 8N1).
/// </summary>
public interface ISerialLine
{
    /// <summary>Time (world ms) at which the <paramref name="n"/>-th unread byte (1-based) arrives, or long.MaxValue when it has not arrived by <paramref name="untilMs"/>.</summary>
    long ArrivalOf(int n, long untilMs);

    /// <summary>Unread bytes that have arrived by <paramref name="nowMs"/>.</summary>
    int Arrived(long nowMs);

    /// <summary>Takes up to <paramref name="count"/> bytes that have arrived by <paramref name="nowMs"/>.</summary>
    int Take(byte[] buffer, int offset, int count, long nowMs);

    /// <summary>The board transmits; the bytes are on the line from <paramref name="nowMs"/>.</summary>
    void Send(byte[] buffer, int offset, int count, long nowMs);
}
