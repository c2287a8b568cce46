# lint-outputs: response_text
# lint-expect: DCN009 DCN009 DCN009
def main(query, /, 变量: str, a_very_long_parameter_name_that_dify_refuses: str = "") -> dict:
    return {"response_text": query}
