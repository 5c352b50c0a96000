using System.Text;
using CityNode.NanoTwin;

namespace System.IO.Ports;

/// <summary>
/// A UART of the ESP32 as nanoFramework drives it. The native driver buffers what arrives in a ring
/// of ReadBufferSize bytes (at least SOC_UART_FIFO_LEN + 1 = 129) and drops what does not fit;
/// Read(buffer, offset, count) waits until all <c>count</c> bytes are buffered and, on timeout, throws
/// TimeoutException leaving the bytes that did arrive in the ring. Close keeps the driver (and its
/// buffering) running; only Dispose removes it.
/// </summary>
// upstream: nanoframework/System.IO.Ports System.IO.Ports/SerialPort.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/System.IO.Ports/sys_io_ser_native_System_IO_Ports_SerialPort.cpp
internal sealed class SerialPort : IDisposable
{
    /// <summary>SOC_UART_FIFO_LEN on the ESP32: the hardware FIFOs (RX minimum ring size, TX bytes a Write hands over at once).</summary>
    private const int HardwareFifo = 128;

    /// <summary>An infinite ReadTimeout whose bytes never come would hang the simulation: give up after this much virtual time.</summary>
    private const long InfiniteWaitHorizonMs = 10 * 60 * 1000;

    private readonly TwinBoard _board;
    private readonly int _portIndex;
    private bool _opened;
    private bool _disposed;
    private int _baudRate;
    private int _dataBits;
    private int _readTimeout = Threading.Timeout.Infinite;
    private int _writeTimeout = Threading.Timeout.Infinite;
    private int _bufferSize = 256;

    // upstream: SerialPort.cs ctor: port index = portName[3] - '0'; a second SerialPort on a port not yet disposed → ArgumentException.
    public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One)
    {
        _board = TwinBoard.Current;
        _board.EnsureRunning();
        _portIndex = portName[3] - '0';
        var devices = Devices(_board);
        if (!devices.Add(_portIndex))
        {
            throw new ArgumentException(portName + " is already in use (dispose the other SerialPort first)");
        }

        PortName = portName;
        _baudRate = baudRate;
        Parity = parity;
        _dataBits = dataBits;
        StopBits = stopBits;
    }

    public string PortName { get; }

    public bool IsOpen => _opened;

    // upstream: SerialPort.cs BaudRate: > 0, reconfigures an open port (native NativeConfig → uart_set_baudrate). The line's
    // own byte timing stands for the wire: a baud rate the device does not use is not modelled as garbage.
    public int BaudRate
    {
        get => _baudRate;
        set => _baudRate = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    // upstream: SerialPort.cs DataBits: 5..8.
    public int DataBits
    {
        get => _dataBits;
        set => _dataBits = value is >= 5 and <= 8 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public Parity Parity { get; set; }

    public StopBits StopBits { get; set; }

    public Handshake Handshake { get; set; }

    // upstream: SerialPort.cs ReadTimeout: ms, default Timeout.Infinite; negative other than -1 → ArgumentOutOfRangeException.
    public int ReadTimeout
    {
        get => _readTimeout;
        set => _readTimeout = value >= 0 || value == Threading.Timeout.Infinite ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    // upstream: SerialPort.cs WriteTimeout (as ReadTimeout).
    public int WriteTimeout
    {
        get => _writeTimeout;
        set => _writeTimeout = value >= 0 || value == Threading.Timeout.Infinite ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    // upstream: SerialPort.cs ReadBufferSize/WriteBufferSize: one field (_bufferSize, 256), > 0, only while closed;
    // native: NativeInit raises it to SOC_UART_FIFO_LEN + 1 when smaller.
    public int ReadBufferSize
    {
        get => _bufferSize;
        set => _bufferSize = value <= 0 ? throw new ArgumentOutOfRangeException(nameof(value)) : _opened ? throw new InvalidOperationException() : value;
    }

    public int WriteBufferSize
    {
        get => _bufferSize;
        set => ReadBufferSize = value;
    }

    // native: get_BytesToRead___I4: the ring's length (no check that the port is open; ObjectDisposedException once disposed).
    public int BytesToRead
    {
        get
        {
            var uart = Native();
            return uart?.Pump(_board.Time.NowMs) ?? 0;
        }
    }

    // upstream: SerialPort.cs Open: InvalidOperationException when already open; native: NativeInit___VOID (COM1 is the
    // wire protocol's UART on the ESP32 → ArgumentException; an installed driver is uninstalled first; NativeConfig needs
    // TX and RX pins mapped, else CLR_E_PIN_UNAVAILABLE, a plain System.Exception).
    public void Open()
    {
        _board.EnsureRunning();
        if (_opened)
        {
            throw new InvalidOperationException(PortName + " is already open");
        }

        _disposed = false;
        int uartNum = _portIndex - 1;
        if (uartNum is < 1 or > 2)
        {
            throw new ArgumentException(uartNum == 0 ? "COM1 carries the wire protocol on the ESP32" : PortName + " does not exist (ESP32: COM1..COM3)");
        }

        if (_dataBits is < 5 or > 8)
        {
            throw new ArgumentException("data bits " + _dataBits);
        }

        string com = "COM" + _portIndex;
        bool needsFlowPins = Handshake is Handshake.RequestToSend or Handshake.RequestToSendXOnXOff;
        if (_board.Wiring.PinOf(com + "_TX") < 0 || _board.Wiring.PinOf(com + "_RX") < 0 ||
            (needsFlowPins && (_board.Wiring.PinOf(com + "_RTS") < 0 || _board.Wiring.PinOf(com + "_CTS") < 0)))
        {
            throw new Exception("CLR_E_PIN_UNAVAILABLE: " + com + " has no pins (Configuration.SetPinFunction)");
        }

        var line = _board.Wiring.SerialOn(_portIndex);
        var uart = new UartDriver(line, Math.Max(_bufferSize, HardwareFifo + 1), _board.AsleepAt);
        long now = _board.Time.NowMs;
        if (line is not null)
        {
            var before = new byte[256];
            while (line.Take(before, 0, before.Length, now) > 0)
            {
                // what arrived before the driver listened is lost
            }
        }

        _board.Ram[UartKey(_portIndex)] = uart;
        _opened = true;
    }

    // upstream: SerialPort.cs Close: only the managed side closes; the native driver keeps receiving into the ring.
    public void Close()
    {
        _board.EnsureRunning();
        _opened = false;
    }

    // upstream: SerialPort.cs Dispose(true): Close, forget the port, NativeDispose; native: NativeDispose___VOID → UninitializePalUart_sys.
    public void Dispose()
    {
        if (!_disposed)
        {
            _board.EnsureRunning();
            _opened = false;
            Devices(_board).Remove(_portIndex);
            _board.Ram.Remove(UartKey(_portIndex));
            _disposed = true;
        }
    }

    // native: Read___I4__SZARRAY_U1__I4__I4: returns only when `count` bytes are in the ring; on timeout CLR_E_TIMEOUT with
    // the ring untouched. Waiting is booked as idle time up to the needed byte's arrival or the timeout.
    public int Read(byte[] buffer, int offset, int count)
    {
        var uart = Native();
        CheckRange(buffer, offset, count);

        long now = _board.Time.NowMs;
        int have = uart?.Pump(now) ?? 0;
        if (have < count)
        {
            bool infinite = _readTimeout == Threading.Timeout.Infinite;
            long deadline = infinite ? now + InfiniteWaitHorizonMs : now + _readTimeout;
            long at = uart?.Line is { } line && count <= uart.Capacity ? line.ArrivalOf(count - have, deadline) : long.MaxValue;
            if (at > deadline)
            {
                if (infinite)
                {
                    throw new InvalidOperationException(PortName + ": Read waits for " + count + " bytes with ReadTimeout = Infinite and they never come: it would block forever");
                }

                _board.Idle(deadline - now);
                uart?.Pump(_board.Time.NowMs);
                throw new TimeoutException();
            }

            _board.Idle(at - now);
            uart!.Pump(_board.Time.NowMs);
        }

        return uart?.Pop(buffer, offset, count) ?? 0;
    }

    // upstream: SerialPort.cs ReadByte: Read(new byte[1], 0, 1), so it throws on timeout and never returns -1.
    public int ReadByte()
    {
        var one = new byte[1];
        Read(one, 0, 1);
        return one[0];
    }

    // native: ReadExisting___STRING: pops the whole ring into a string (the bytes taken as UTF-8).
    public string ReadExisting()
    {
        var uart = Native();
        if (uart is null || uart.Pump(_board.Time.NowMs) == 0)
        {
            return string.Empty;
        }

        var bytes = new byte[uart.Count];
        uart.Pop(bytes, 0, bytes.Length);
        return Encoding.UTF8.GetString(bytes);
    }

    // native: Write___VOID__SZARRAY_U1__I4__I4: uart_tx_chars fills the 128-byte TX FIFO at once; the rest goes through the
    // TX task, the call waiting (up to WriteTimeout) until it is all in the FIFO. Bytes leave on the pins mapped at Open.
    public void Write(byte[] buffer, int offset, int count)
    {
        var uart = Native();
        CheckRange(buffer, offset, count);

        long now = _board.Time.NowMs;
        uart?.Line?.Send(buffer, offset, count, now);
        if (count > HardwareFifo)
        {
            int bitsPerByte = 1 + _dataBits + (Parity == Parity.None ? 0 : 1) + (StopBits == StopBits.One ? 1 : 2);
            long waitMs = (long)Math.Ceiling((count - HardwareFifo) * bitsPerByte * 1000.0 / Math.Max(1, _baudRate));
            if (_writeTimeout != Threading.Timeout.Infinite && waitMs > _writeTimeout)
            {
                _board.Idle(_writeTimeout);
                throw new TimeoutException();
            }

            _board.Idle(waitMs);
        }
    }

    // upstream: SerialPort.cs WriteByte → Write(new[] { value }, 0, 1).
    public void WriteByte(byte value) => Write(new[] { value }, 0, 1);

    private static string UartKey(int portIndex) => "ports.uart" + portIndex;

    private static UartDriver? Uart(TwinBoard board, int portIndex) => board.Ram.TryGetValue(UartKey(portIndex), out var u) ? (UartDriver)u : null;

    private static HashSet<int> Devices(TwinBoard board)
    {
        if (!board.Ram.TryGetValue("ports.devices", out var set))
        {
            board.Ram["ports.devices"] = set = new HashSet<int>();
        }

        return (HashSet<int>)set;
    }

    // native: Read/Write check offset and count against the array (CLR_E_INDEX_OUT_OF_RANGE for one beyond it alone,
    // CLR_E_INVALID_PARAMETER for the two together).
    private static void CheckRange(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset > buffer.Length || count > buffer.Length)
        {
            throw new InvalidOperationException("offset or count beyond the buffer");
        }

        if (offset + count > buffer.Length)
        {
            throw new ArgumentException("offset + count beyond the buffer");
        }
    }

    // native: every entry point checks _disposed first (CLR_E_OBJECT_DISPOSED); a port never opened has no driver (nothing arrives).
    private UartDriver? Native()
    {
        _board.EnsureRunning();
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Uart(_board, _portIndex);
    }

    /// <summary>The native side of one UART: the RX ring (HAL_RingBuffer: a push into a full ring drops the new bytes) and the line on its pins.</summary>
    // native: sys_io_ser_native_System_IO_Ports_SerialPort.cpp uart_event_task_sys (RxRingBuffer.Push); src/HAL/Include/nanoHAL.h HAL_RingBuffer::Push.
    private sealed class UartDriver(ISerialLine? line, int capacity, Func<long, bool> asleepAt)
    {
        private readonly Queue<byte> _ring = new();
        private readonly byte[] _chunk = new byte[256];

        public ISerialLine? Line { get; } = line;

        public int Capacity { get; } = capacity;

        public int Count => _ring.Count;

        /// <summary>Bytes dropped because the ring was full, or because they came while the chip light-slept.</summary>
        public long Dropped { get; private set; }

        /// <summary>Moves what has arrived by <paramref name="nowMs"/> into the ring; returns the ring's length.</summary>
        public int Pump(long nowMs)
        {
            long at;
            while (Line is not null && (at = Line.ArrivalOf(1, nowMs)) <= nowMs && Line.Take(_chunk, 0, 1, nowMs) == 1)
            {
                if (_ring.Count < Capacity && !asleepAt(at))
                {
                    _ring.Enqueue(_chunk[0]);
                }
                else
                {
                    Dropped++;
                }
            }

            return _ring.Count;
        }

        public int Pop(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && _ring.Count > 0)
            {
                buffer[offset + n++] = _ring.Dequeue();
            }

            return n;
        }
    }
}
