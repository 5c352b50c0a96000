namespace System.Device.I2c;

/// <summary>Outcome of one NativeTransmit. The ESP32 native only ever sets FullTransfer, SlaveAddressNotAcknowledged or ClockStretchTimeout.</summary>
// upstream: nanoframework/System.Device.I2c System.Device.I2c/I2cTransferStatus.cs; native: sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp
// NativeTransmit (ESP_OK → FullTransfer, ESP_FAIL → SlaveAddressNotAcknowledged, ESP_ERR_TIMEOUT → ClockStretchTimeout; no PartialTransfer).
internal enum I2cTransferStatus
{
    UnknownError,
    FullTransfer,
    ClockStretchTimeout,
    PartialTransfer,
    SlaveAddressNotAcknowledged,
}

// upstream: nanoframework/System.Device.I2c System.Device.I2c/I2cTransferResult.cs (fields set by native code); native:
// sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp NativeTransmit (BytesTransferred = write + read length on success, 0 otherwise).
internal readonly struct I2cTransferResult
{
    internal I2cTransferResult(I2cTransferStatus status, uint bytesTransferred)
    {
        Status = status;
        BytesTransferred = bytesTransferred;
    }

    public uint BytesTransferred { get; }

    public I2cTransferStatus Status { get; }
}
