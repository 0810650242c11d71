using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace DigitalTwin.Security;

public static class SigningKeys
{
    public static SymmetricSecurityKey FromSecret(string secret) => new(Encoding.UTF8.GetBytes(secret));
}
