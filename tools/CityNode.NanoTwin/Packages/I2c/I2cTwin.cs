using System.Collections.Generic;
using CityNode.Hal;

namespace CityNode.NanoTwin;

/// <summary>
/// The board's two ESP32 I2C ports as the native driver leaves them (RAM state, cleared by every reset),
/// and what tests read back: each port's configured speed and the transfers seen per address and per speed.
/// </summary>
public static class I2cTwin
{
    /// <summary>SOC_I2C_NUM on the ESP32: I2C1 = I2C_NUM_0, I2C2 = I2C_NUM_1.</summary>
    public const int Ports = 2;

    /// <summary>
    /// Per transfer outside the bus bits: command link build, i2c_master_cmd_begin's semaphore and ISR
    /// hand-offs, the interpreter's native call. An estimate (not measured).
    /// </summary>
    public const int DriverOverheadMicros = 60;

    /// <summary>The speed the port is configured to now (Hz; the last I2cDevice constructed on it decides), 0 = never configured this boot.</summary>
    public static int SpeedOf(TwinBoard board, int busId) => PortOf(board, busId).SpeedHz;

    /// <summary>Transfers (one per NativeTransmit) per 7-bit address on the port this boot.</summary>
    public static IReadOnlyDictionary<int, int> Transfers(TwinBoard board, int busId) => PortOf(board, busId).PerAddress;

    /// <summary>Transfers per bus speed (Hz) they ran at this boot: one key when every device on the port agrees.</summary>
    public static IReadOnlyDictionary<int, int> TransferSpeeds(TwinBoard board, int busId) => PortOf(board, busId).PerSpeed;

    /// <summary>Bus time of one transaction: start and stop, 9 bits per byte (8 + ACK) including the address byte of each phase, plus the driver.</summary>
    /// <param name="readBytes">-1: no read phase.</param>
    public static long TransferMicros(int speedHz, int writeBytes, int readBytes)
    {
        long bits = 2;
        if (writeBytes > 0)
        {
            bits += 9L * (1 + writeBytes);
        }

        if (readBytes > 0)
        {
            bits += 9L * (1 + readBytes) + (writeBytes > 0 ? 1 : 0);
        }
        else if (writeBytes <= 0)
        {
            bits += 9; // a NACKed address byte
        }

        return (bits * 1_000_000 / System.Math.Max(speedHz, 1)) + DriverOverheadMicros;
    }

    internal static Port PortOf(TwinBoard board, int busId)
    {
        string key = "i2c.port" + busId;
        if (!board.Ram.TryGetValue(key, out var port))
        {
            board.Ram[key] = port = new Port();
        }

        return (Port)port;
    }

    internal sealed class Port
    {
        public int Devices;
        public bool Installed;
        public int SpeedHz;
        public II2cBus? Bus;
        public readonly Dictionary<int, int> PerAddress = new();
        public readonly Dictionary<int, int> PerSpeed = new();

        public void Count(int address)
        {
            PerAddress[address] = PerAddress.GetValueOrDefault(address) + 1;
            PerSpeed[SpeedHz] = PerSpeed.GetValueOrDefault(SpeedHz) + 1;
        }
    }
}
