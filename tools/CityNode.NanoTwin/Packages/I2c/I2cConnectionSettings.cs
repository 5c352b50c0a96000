namespace System.Device.I2c;

/// <summary>The bus speeds the ESP32 port can be configured to (i2c_config_t.master.clk_speed).</summary>
// upstream: nanoframework/System.Device.I2c System.Device.I2c/I2cBusSpeed.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/System.Device.I2c/sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp SetConfig (100/400/1000 kHz).
internal enum I2cBusSpeed
{
    StandardMode,
    FastMode,
    FastModePlus,
}

/// <summary>Which port (1 = I2C_NUM_0, 2 = I2C_NUM_1), which 7-bit address, which speed.</summary>
// upstream: nanoframework/System.Device.I2c System.Device.I2c/I2cConnectionSettings.cs; native: read by
// sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp (fields _busId, _deviceAddress, _busSpeed).
internal sealed class I2cConnectionSettings
{
    // upstream: I2cConnectionSettings.cs (busId, deviceAddress) chains to FastMode, whatever the enum's doc comment says.
    public I2cConnectionSettings(int busId, int deviceAddress)
        : this(busId, deviceAddress, I2cBusSpeed.FastMode)
    {
    }

    // upstream: I2cConnectionSettings.cs (busId, deviceAddress, busSpeed): no validation here; a bad bus id fails in I2cDevice's NativeInit.
    public I2cConnectionSettings(int busId, int deviceAddress, I2cBusSpeed busSpeed)
    {
        BusId = busId;
        DeviceAddress = deviceAddress;
        BusSpeed = busSpeed;
    }

    public int BusId { get; }

    public int DeviceAddress { get; }

    public I2cBusSpeed BusSpeed { get; }
}
