using System;
using System.Device.I2c;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// One I2C port (II2cBus) at the speed its board profile gives. On the ESP32 every I2cDevice
    /// constructor reconfigures the whole port (i2c_param_config in nf-interpreter
    /// targets/ESP32/_nanoCLR/System.Device.I2c/sys_dev_i2c_native_System_Device_I2c_I2cDevice.cpp),
    /// so every device on it, the Bmxx80 binding's included, is opened with these same settings.
    /// </summary>
    internal sealed class EspI2cBus : II2cBus
    {
        // Indexed by I2cTransferStatus: UnknownError, FullTransfer, ClockStretchTimeout, PartialTransfer, SlaveAddressNotAcknowledged.
        private static readonly I2cStatus[] StatusOf = { I2cStatus.Error, I2cStatus.Ok, I2cStatus.Timeout, I2cStatus.Partial, I2cStatus.Nack };
        private readonly I2cDevice[] _devices = new I2cDevice[128];
        private readonly int _busId;
        private readonly I2cBusSpeed _speed;

        public EspI2cBus(int busId, int kilohertz)
        {
            _busId = busId;
            _speed = kilohertz >= 1000 ? I2cBusSpeed.FastModePlus : kilohertz >= 400 ? I2cBusSpeed.FastMode : I2cBusSpeed.StandardMode;
        }

        public I2cConnectionSettings Settings(int address) => new I2cConnectionSettings(_busId, address, _speed);

        public I2cStatus Write(int address, byte[] buffer, int offset, int count) => Transfer(address, buffer, offset, count, true);

        public I2cStatus Read(int address, byte[] buffer, int offset, int count) => Transfer(address, buffer, offset, count, false);

        private I2cStatus Transfer(int address, byte[] buffer, int offset, int count, bool write)
        {
            try
            {
                I2cDevice d = _devices[address & 0x7F] ?? (_devices[address & 0x7F] = I2cDevice.Create(Settings(address)));
                int i = (int)(write ? d.Write(new SpanByte(buffer, offset, count)) : d.Read(new SpanByte(buffer, offset, count))).Status;
                return i >= 0 && i < StatusOf.Length ? StatusOf[i] : I2cStatus.Error;
            }
            catch (Exception)
            {
                return I2cStatus.Error; // a bad bus id or pins the driver refuses: native ArgumentException / InvalidOperationException
            }
        }
    }
}
