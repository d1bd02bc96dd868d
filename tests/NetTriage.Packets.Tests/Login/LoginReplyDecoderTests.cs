using System.Text;
using NetTriage.Packets.Login;

namespace NetTriage.Packets.Tests.Login;

public sealed class LoginReplyDecoderTests
{
    [Theory]
    [InlineData(21, "530 Login incorrect.\r\n", LoginReply.Rejected)]
    [InlineData(21, "230 Login successful.\r\n", LoginReply.Accepted)]
    [InlineData(21, "230-Welcome\r\n230 Login successful.\r\n", LoginReply.Accepted)]
    [InlineData(21, "331 Please specify the password.\r\n", LoginReply.None)]
    [InlineData(21, "220 (vsFTPd 3.0.3)\r\n", LoginReply.None)]
    [InlineData(587, "535 5.7.8 Authentication credentials invalid\r\n", LoginReply.Rejected)]
    [InlineData(25, "235 2.7.0 Authentication successful\r\n", LoginReply.Accepted)]
    [InlineData(25, "250 OK\r\n", LoginReply.None)]
    [InlineData(110, "-ERR [AUTH] Authentication failed.\r\n", LoginReply.Rejected)]
    [InlineData(110, "+OK Logged in.\r\n", LoginReply.None)]
    [InlineData(143, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", LoginReply.Rejected)]
    [InlineData(143, "a1 OK [CAPABILITY IMAP4rev1] Logged in\r\n", LoginReply.None)]
    [InlineData(143, "a1 OK LOGIN completed\r\n", LoginReply.Accepted)]
    [InlineData(143, "* OK IMAP4rev1 ready\r\n", LoginReply.None)]
    [InlineData(80, "530 \r\n", LoginReply.None)]
    [InlineData(21, "53", LoginReply.None)]
    public void Reads_the_servers_answer_to_a_login(ushort port, string payload, LoginReply expected)
    {
        Assert.Equal(expected, LoginReplyDecoder.Read(Encoding.ASCII.GetBytes(payload), port));
    }
}
