namespace System.IO.Ports;

// upstream: nanoframework/System.IO.Ports System.IO.Ports/Parity.cs; native: sys_io_ser_native_System_IO_Ports_SerialPort.cpp
// NativeConfig (None/Even/Odd → UART_PARITY_*; anything else is None).
internal enum Parity
{
    None = 0,
    Odd = 1,
    Even = 2,
}

// upstream: nanoframework/System.IO.Ports System.IO.Ports/StopBits.cs; native: NativeConfig (UART_STOP_BITS_1/1_5/2).
internal enum StopBits
{
    One = 1,
    Two = 2,
    OnePointFive = 3,
}

// upstream: nanoframework/System.IO.Ports System.IO.Ports/Handshake.cs; native: NativeConfig (RTS/CTS need COMn_RTS/CTS pins).
internal enum Handshake
{
    None,
    XOnXOff,
    RequestToSend,
    RequestToSendXOnXOff,
}
