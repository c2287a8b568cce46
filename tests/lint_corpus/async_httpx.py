# lint-outputs: response_text
# lint-expect: DCN004 DCN004
import asyncio
import httpx

def main(query: str) -> dict:
    async def fetch():
        async with httpx.AsyncClient(timeout=10) as client:
            return (await client.get("https://example.com")).text
    return {"response_text": asyncio.run(fetch())}
