using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api;

internal sealed class KestrelLimits(IOptions<ApiOptions> api) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) => options.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
}
