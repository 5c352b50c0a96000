using CityNode.NanoTwin;

namespace System.Device.I2c;

/// <summary>
/// One 7-bit address on an ESP32 I2C port. As the native code does: every constructor re-runs
/// i2c_param_config for the whole port (pins and speed, so the last device opened sets both for all),
/// each transfer is one command link (start, address, data, [repeated start, address, data], stop),
/// a NACK anywhere is SlaveAddressNotAcknowledged and leaves the read buffer untouched, and the
/// driver is deleted when the port's last device is disposed.
/// </summary>
// upstream: nanoframework/System.Device.I2c System.Device.I2c/I2cDevice.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/System.Device.I2c/sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp
internal class I2cDevice : IDisposable
{
    private readonly TwinBoard _board;
    private readonly object _syncLock = new();

    // upstream: I2cDevice.cs _buffer: one byte shared by ReadByte and WriteByte. A failed ReadByte returns
    // whatever it holds (the register address WriteByte just put there) — the "stale status byte" of the bindings.
    private readonly byte[] _buffer = new byte[1];
    private bool _disposed;

    // upstream: I2cDevice.cs ctor → NativeInit; native: NativeInit___VOID (bus id check, SetConfig = i2c_param_config, i2c_driver_install once).
    public I2cDevice(I2cConnectionSettings settings)
    {
        _board = TwinBoard.Current;
        _board.EnsureRunning();
        ConnectionSettings = settings;
        NativeInit();
    }

    public I2cConnectionSettings ConnectionSettings { get; }

    // upstream: I2cDevice.cs Create (= new I2cDevice(settings)).
    public static I2cDevice Create(I2cConnectionSettings settings) => new(settings);

    // upstream: I2cDevice.cs ReadByte: reads into the shared one-byte buffer and returns it, ignoring the status.
    public byte ReadByte()
    {
        lock (_syncLock)
        {
            var buffer = new SpanByte(_buffer);
            NativeTransmit(SpanByte.Empty, buffer);
            return buffer[0];
        }
    }

    // upstream: I2cDevice.cs Read → NativeTransmit(null, buffer).
    public I2cTransferResult Read(SpanByte buffer)
    {
        lock (_syncLock)
        {
            return NativeTransmit(SpanByte.Empty, buffer);
        }
    }

    // upstream: I2cDevice.cs WriteByte: copies the value into the shared buffer, then NativeTransmit(buffer, null).
    public I2cTransferResult WriteByte(byte value)
    {
        lock (_syncLock)
        {
            _buffer[0] = value;
            return NativeTransmit(new SpanByte(_buffer), SpanByte.Empty);
        }
    }

    // upstream: I2cDevice.cs Write → NativeTransmit(buffer, null).
    public I2cTransferResult Write(SpanByte buffer)
    {
        lock (_syncLock)
        {
            return NativeTransmit(buffer, SpanByte.Empty);
        }
    }

    // upstream: I2cDevice.cs WriteRead → NativeTransmit(write, read): one transaction with a repeated start.
    public I2cTransferResult WriteRead(SpanByte writeBuffer, SpanByte readBuffer)
    {
        lock (_syncLock)
        {
            return NativeTransmit(writeBuffer, readBuffer);
        }
    }

    // upstream: I2cDevice.cs Dispose → NativeDispose once; native: NativeDispose___VOID (count down, i2c_driver_delete at zero).
    public void Dispose()
    {
        lock (_syncLock)
        {
            if (!_disposed)
            {
                _board.EnsureRunning();
                var port = I2cTwin.PortOf(_board, ConnectionSettings.BusId);
                if (--port.Devices <= 0)
                {
                    port.Devices = 0;
                    port.Installed = false;
                }

                _disposed = true;
            }
        }
    }

    // native: NativeInit___VOID: busId - 1 outside [I2C_NUM_0, SOC_I2C_NUM) (2 ports on the ESP32) → CLR_E_INVALID_PARAMETER
    // (ArgumentException, src/CLR/CorLib/corlib_native_System_Exception.cpp); SetConfig takes the pins mapped now and the speed.
    private void NativeInit()
    {
        int busId = ConnectionSettings.BusId;
        if (busId < 1 || busId > I2cTwin.Ports)
        {
            throw new ArgumentException("I2C bus " + busId + " does not exist (ESP32: 1 or 2)");
        }

        var port = I2cTwin.PortOf(_board, busId);
        port.SpeedHz = ConnectionSettings.BusSpeed switch
        {
            I2cBusSpeed.FastModePlus => 1_000_000,
            I2cBusSpeed.FastMode => 400_000,
            _ => 100_000,
        };
        port.Bus = _board.Wiring.I2cOn(busId);
        port.Installed = true;
        port.Devices++;
    }

    // native: NativeTransmit___SystemDeviceI2cI2cTransferResult__SystemSpanByte__SystemSpanByte: empty spans add no phase;
    // i2c_master_cmd_begin on an uninstalled driver is ESP_ERR_INVALID_STATE → CLR_E_INVALID_OPERATION (InvalidOperationException);
    // the read buffer is copied back only on ESP_OK.
    private I2cTransferResult NativeTransmit(SpanByte write, SpanByte read)
    {
        _board.EnsureRunning();
        var port = I2cTwin.PortOf(_board, ConnectionSettings.BusId);
        if (!port.Installed)
        {
            throw new InvalidOperationException("I2C driver not installed (every I2cDevice on the port was disposed)");
        }

        int address = ConnectionSettings.DeviceAddress;
        var bus = port.Bus;
        var status = CityNode.Hal.I2cStatus.Ok;
        bool addressOnly = false;
        if (write.Length > 0)
        {
            status = bus?.Write(address, write.ToArray(), 0, write.Length) ?? CityNode.Hal.I2cStatus.Nack;
            addressOnly = status == CityNode.Hal.I2cStatus.Nack;
        }

        byte[]? data = null;
        if (status == CityNode.Hal.I2cStatus.Ok && read.Length > 0)
        {
            // Bytes a target does not drive read as the idle bus level.
            data = new byte[read.Length];
            Array.Fill(data, (byte)0xFF);
            status = bus?.Read(address, data, 0, data.Length) ?? CityNode.Hal.I2cStatus.Nack;
            addressOnly |= write.Length == 0 && status == CityNode.Hal.I2cStatus.Nack;
        }

        port.Count(address);
        _board.Busy(I2cTwin.TransferMicros(port.SpeedHz, addressOnly ? 0 : write.Length, addressOnly ? -1 : read.Length));
        switch (status)
        {
            case CityNode.Hal.I2cStatus.Ok:
            case CityNode.Hal.I2cStatus.Partial: // the controller cannot tell a short reply from 0xFF bytes
                for (int i = 0; data is not null && i < data.Length; i++)
                {
                    read[i] = data[i];
                }

                return new I2cTransferResult(I2cTransferStatus.FullTransfer, (uint)(write.Length + read.Length));
            case CityNode.Hal.I2cStatus.Nack:
                return new I2cTransferResult(I2cTransferStatus.SlaveAddressNotAcknowledged, 0);
            case CityNode.Hal.I2cStatus.Timeout:
                return new I2cTransferResult(I2cTransferStatus.ClockStretchTimeout, 0);
            default:
                throw new InvalidOperationException("i2c_master_cmd_begin failed (not ESP_OK, ESP_FAIL or ESP_ERR_TIMEOUT)");
        }
    }
}
