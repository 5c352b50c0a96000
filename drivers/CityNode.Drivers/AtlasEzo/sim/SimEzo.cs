using System.Globalization;
using System.Text;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.AtlasEzo.Sim;

/// <summary>
/// An Atlas Scientific EZO circuit in I2C mode: ASCII commands with their processing delays
/// (reading before the delay answers 254, reading twice answers 255), response codes, "i", "R",
/// "T,n"/"T,?", "S,n", "P,n", "O,...", "Cal,...", "Cal,?", "Sleep" (the next command only wakes
/// it), "Status". The probe in the water follows physics: a pH electrode's millivolts follow
/// Nernst at the real temperature and the circuit converts with the temperature it was told;
/// conductivity rises 2 %/°C and is referred back to 25 °C with the given temperature; the DO
/// probe sees saturation and the circuit converts with the given temperature, salinity and
/// pressure. So readings are right only when the node compensates right.
/// Faults: absent, syntax error, stuck processing (254 forever), garbage bytes, frozen value.
/// </summary>
public sealed class SimEzo : II2cTarget
{
    private readonly EzoKind _kind;
    private readonly Func<long> _nowMs;
    private readonly Func<Water> _water;
    private byte[] _answer = { 255 };
    private long _readyAt;
    private bool _asleep;
    private double _tempComp = 25;
    private double _salinityUs;
    private double _pressureKpa = 101.325;
    private int _calPoints = 3;
    private double _probeOffsetMv;
    private double? _frozen;

    /// <summary>The water the probe is in.</summary>
    public readonly record struct Water(double TemperatureC, double Ph, double Ec25, double DoMgL, double OrpMv, double PressureKpa = 101.325);

    public SimEzo(EzoKind kind, Func<long> nowMs, Func<Water> water)
    {
        _kind = kind;
        _nowMs = nowMs;
        _water = water;
    }

    public bool Absent { get; set; }

    public bool ForceSyntaxError { get; set; }

    public bool StuckProcessing { get; set; }

    public bool Garbage { get; set; }

    public bool Stuck { get; set; }

    /// <summary>RTD with its probe unplugged answers −1023.000.</summary>
    public bool NoProbe { get; set; }

    public bool Asleep => _asleep;

    public double TemperatureCompensation => _tempComp;

    public double SalinityCompensation => _salinityUs;

    public double PressureCompensation => _pressureKpa;

    public int CalibrationPoints => _calPoints;

    /// <summary>An uncalibrated electrode's offset (mV); "Cal,mid" removes it.</summary>
    public double ProbeOffsetMv
    {
        get => _probeOffsetMv;
        set
        {
            _probeOffsetMv = value;
            _calPoints = 0;
        }
    }

    private double _calOffsetMv;

    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        if (Absent)
        {
            return I2cStatus.Nack;
        }

        long now = _nowMs();
        if (_asleep)
        {
            _asleep = false; // the command that wakes the circuit is not executed
            _answer = new byte[] { 255 };
            return I2cStatus.Ok;
        }

        string cmd = Encoding.ASCII.GetString(data);
        string upper = cmd.ToUpperInvariant();
        int delay = 300;
        string? text = null;
        byte code = 1;
        if (upper == "R")
        {
            delay = _kind is EzoKind.Ph or EzoKind.Orp ? 900 : 600;
            text = Read();
        }
        else if (upper == "I")
        {
            text = "?I," + (_kind switch { EzoKind.Ph => "pH", EzoKind.Ec => "EC", EzoKind.Do => "DO", EzoKind.Orp => "OR", _ => "RTD" }) + ",2.16";
        }
        else if (upper == "SLEEP")
        {
            _asleep = true;
            _answer = new byte[] { 255 };
            return I2cStatus.Ok;
        }
        else if (upper == "STATUS")
        {
            text = "?STATUS,P,5.038";
        }
        else if (upper == "T,?" && _kind is EzoKind.Ph or EzoKind.Ec or EzoKind.Do)
        {
            text = "?T," + _tempComp.ToString("0.00", CultureInfo.InvariantCulture);
        }
        else if (upper.StartsWith("T,") && _kind is EzoKind.Ph or EzoKind.Ec or EzoKind.Do && TryNumber(cmd[2..], out double t))
        {
            _tempComp = t;
        }
        else if (upper.StartsWith("S,") && _kind == EzoKind.Do && TryNumber(cmd[2..], out double s))
        {
            _salinityUs = s;
        }
        else if (upper.StartsWith("P,") && _kind == EzoKind.Do && TryNumber(cmd[2..], out double p) && p > 10 && p < 500)
        {
            _pressureKpa = p;
        }
        else if (upper.StartsWith("O,") && _kind is EzoKind.Ec or EzoKind.Do)
        {
            // Output parameters: accepted, the simulated circuits always answer one number.
        }
        else if (upper == "CAL,?")
        {
            text = "?CAL," + _calPoints.ToString(CultureInfo.InvariantCulture);
        }
        else if (upper == "CAL,CLEAR")
        {
            _calPoints = 0;
            _calOffsetMv = 0;
        }
        else if (upper.StartsWith("CAL,MID,") && _kind == EzoKind.Ph && TryNumber(cmd[8..], out double mid))
        {
            // Single-point (mid) calibration: the electrode reads `mid` here; remove its offset.
            double mv = ElectrodeMv(_water());
            _calOffsetMv = mv - (-(mid - 7) * WaterPhysics.NernstSlope(_tempComp));
            _calPoints = 1;
            delay = 900;
        }
        else if ((upper.StartsWith("CAL,LOW,") || upper.StartsWith("CAL,HIGH,")) && _kind == EzoKind.Ph && _calPoints >= 1)
        {
            _calPoints = Math.Min(3, _calPoints + 1);
            delay = 900;
        }
        else
        {
            code = 2;
        }

        if (ForceSyntaxError)
        {
            code = 2;
        }

        _answer = code == 1 ? Answer(text) : new byte[] { 2 };
        _readyAt = now + delay;
        return I2cStatus.Ok;
    }

    public I2cStatus OnRead(Span<byte> buffer)
    {
        if (Absent || _asleep)
        {
            return I2cStatus.Nack;
        }

        buffer.Clear();
        if (StuckProcessing || _nowMs() < _readyAt)
        {
            buffer[0] = 254;
            return I2cStatus.Ok;
        }

        var a = _answer;
        if (Garbage && a.Length > 1)
        {
            a = (byte[])a.Clone();
            a[1] = 0x9F;
        }

        a.AsSpan(0, Math.Min(a.Length, buffer.Length)).CopyTo(buffer);
        _answer = new byte[] { 255 }; // an answer is read once
        return I2cStatus.Ok;
    }

    private static byte[] Answer(string? text) => text is null ? new byte[] { 1, 0 } : new byte[] { 1 }.Concat(Encoding.ASCII.GetBytes(text)).Append((byte)0).ToArray();

    private static bool TryNumber(string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);

    private double ElectrodeMv(Water w) => (-(w.Ph - 7) * WaterPhysics.NernstSlope(w.TemperatureC)) + _probeOffsetMv;

    private string Read()
    {
        var w = _water();
        double v = _kind switch
        {
            // The circuit converts the electrode's mV with the temperature it was given.
            EzoKind.Ph => 7 - ((ElectrodeMv(w) - _calOffsetMv) / WaterPhysics.NernstSlope(_tempComp)),
            EzoKind.Ec => WaterPhysics.ConductivityAt(w.Ec25, w.TemperatureC) / (1 + (0.02 * (_tempComp - 25))),
            EzoKind.Do => w.DoMgL / WaterPhysics.OxygenSolubility(w.TemperatureC, WaterPhysics.SalinityFromConductance(w.Ec25), w.PressureKpa)
                * WaterPhysics.OxygenSolubility(_tempComp, WaterPhysics.SalinityFromConductance(_salinityUs), _pressureKpa),
            EzoKind.Orp => w.OrpMv,
            _ => NoProbe ? -1023 : w.TemperatureC,
        };
        if (Stuck)
        {
            _frozen ??= v;
            v = _frozen.Value;
        }

        string format = _kind switch { EzoKind.Ph or EzoKind.Rtd => "0.000", EzoKind.Orp => "0.0", EzoKind.Do => "0.00", _ => "0.0" };
        return v.ToString(format, CultureInfo.InvariantCulture);
    }
}
